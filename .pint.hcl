// pint's configuration for the rule files infermon generates: plain rule files (out/prometheus/rules) and
// the same groups as PrometheusRule CRs (out/kubernetes/prometheus-rules). `make test` lints them offline
// and the live loop lints them online against its Prometheus. Every check pint has stays on except where
// a block below says why it does not fit these rules. Paths match from any folder (out/ or a test's tree).

parser {
  // A PrometheusRule nests its groups under `spec`; pint finds them in relaxed mode.
  relaxed = ["(.*/)?kubernetes/prometheus-rules/.+\\.yaml"]
}

rule {
  // SLO rules keep Sloth's layout: SLI recordings, metadata recordings and alerts are separate groups,
  // which is what keeps `mode: 'sloth'` rules byte-identical to Sloth's (and the efficient mode's series
  // and groups interchangeable with them). A metadata recording such as slo:current_burn_rate:ratio
  // therefore reads an SLI recording from the previous evaluation of the SLI group: at most one
  // evaluation interval of lag on a ratio over 5 minutes or more, far below what a burn-rate threshold can
  // tell apart. pint also matches a recording by its name only, so every SLO's `slo:sli_error:ratio_rate5m`
  // looks like another service's dependency, while each selector names its own `sloth_id`.
  match {
    path = "(.*/)?(prometheus/rules|kubernetes/prometheus-rules)/slo-[^/]+\\.ya?ml"
  }
  disable = ["rule/dependency"]
}

rule {
  // Efficient-mode SLOs record one hourly block per SLO, evaluated once an hour on purpose (group
  // `interval: 1h`): the period window adds the blocks up with sum_over_time over the whole period. No rule,
  // dashboard or alert reads a block with an instant selector, so the gaps between hourly samples that
  // group/interval warns about are never seen.
  match {
    kind = "recording"
    name = "slo:sli_events:rate1h_block"
  }
  disable = ["group/interval"]
}
