import type { Command } from 'commander';

/** Where a configuration to start from is, for an installed package. */
const EXAMPLE_HINT = 'hint: node_modules/infermon/examples/router.yaml is a configuration to start from';

/** `infermon router --config FILE`: the reference router. */
export function registerRouterCommand(program: Command): void {
  program
    .command('router')
    .description('run the reference inference router (Kthena router metrics, access log and debug endpoints)')
    .requiredOption('--config <file>', 'router YAML configuration')
    .action(async (o: { config: string }) => {
      // Loaded on use, so `generate` and `check` never pay for the HTTP stack.
      const { ConfigError, loadRouterConfig } = await import('./config.ts');
      const { startRouter } = await import('./server.ts');
      let config;
      try {
        config = loadRouterConfig(o.config);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        // The problem and a hint, not the program's whole --help: the command line was right, the file is not.
        process.stderr.write(`error: ${err.message}\n${EXAMPLE_HINT}\n`);
        process.exit(2);
      }
      const router = await startRouter(config);
      // Status lines go to stderr so an access log on stdout stays one JSON document per line.
      console.error(`router API listening on ${router.apiUrl}`);
      console.error(`router metrics on ${router.metricsUrl ?? '(disabled)'}, debug on ${router.adminUrl}/debug/config_dump/`);
      // A signal may arrive twice (from the terminal and forwarded by bin/infermon.mjs): stop once.
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        void router.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
