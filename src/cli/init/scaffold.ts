import * as content from '../../content/index.ts';
import type { SpecDeclaration } from '../../model/spec.ts';
import { renderTemplate } from '../../templates.ts';
import { CI_TOOLS } from './ci-tools.ts';
import { offeredContent, type ContentFile, type ContentKind } from './content.ts';
import { caretRange } from './package-json.ts';
import { catalogSources } from './sources.ts';
import { tsLiteral } from './ts-literal.ts';
import type { ScaffoldFile } from './write.ts';

export interface ScaffoldOptions {
  /** The package name of the scaffolded repository. */
  name: string;
  /** Chosen catalog sources, by name. */
  sources: readonly string[];
  /** The running infermon's version and development dependencies, to pin the scaffold against. */
  infermon: { version: string; devDependencies: Record<string, string> };
  /**
   * Where the scaffolded directory sits in its git repository, `/`-separated, when that is below the
   * repository's root: CI runs from the root, so the workflows `cd` into it.
   */
  subdir?: string;
}

/** The namespace kube-prometheus-stack is installed in, and its release name. */
const STACK_NAMESPACE = 'monitoring';
const STACK_RELEASE = 'kube-prometheus-stack';

type Factory = (config?: Record<string, unknown>) => SpecDeclaration;

/** A content file with its config settled and its declaration made once, to read ids, links and teams from. */
interface PlannedContent {
  file: ContentFile;
  config: Record<string, unknown>;
  declaration: SpecDeclaration;
}

function instantiate(file: ContentFile, config: Record<string, unknown>): SpecDeclaration {
  return (content[file.factory] as Factory)(config);
}

function planContent(chosen: ReadonlySet<string>): PlannedContent[] {
  const planned = offeredContent(chosen).map((file) => {
    const config = file.config?.(chosen) ?? {};
    return { file, config, declaration: instantiate(file, config) };
  });
  const dashboardIds = new Set(planned.filter((p) => p.file.kind === 'dashboards').map((p) => (p.declaration.spec as { id: string }).id));
  // A bundled dashboard links to its usual siblings and bundled alerts to their source's dashboard; keep
  // the links this scaffold can serve, so none dangles.
  return planned.map((p) => {
    if (p.file.kind === 'alerts') {
      const linked = (p.declaration.spec as { dashboard?: string }).dashboard;
      return linked && !dashboardIds.has(linked) ? { ...p, config: { ...p.config, dashboard: false } } : p;
    }
    if (p.file.kind !== 'dashboards') return p;
    const siblings = ((p.declaration.spec as { links?: readonly string[] }).links ?? []).filter((id) => dashboardIds.has(id));
    return { ...p, config: { ...p.config, links: siblings.length > 0 ? siblings : false } };
  });
}

/** The `team` label of a rule group's alerts or of an SLO service's alerts. */
function teamOf(declaration: SpecDeclaration): string | undefined {
  const spec = declaration.spec as { team?: string; labels?: Record<string, string> };
  return spec.team ?? spec.labels?.team;
}

/** Every team the planned alerts and SLOs page: each needs a route. */
function teamsOf(planned: readonly PlannedContent[]): string[] {
  return [...new Set(planned.flatMap((p) => teamOf(p.declaration) ?? []))].sort();
}

/** The planned spec files' names per kind, for the README. */
function contentByKind(planned: readonly PlannedContent[]): Record<ContentKind, string[]> {
  const byKind: Record<ContentKind, string[]> = { alerts: [], rules: [], slos: [], dashboards: [] };
  for (const { file } of planned) byKind[file.kind].push(file.file.replace(/\.ts$/, ''));
  for (const names of Object.values(byKind)) names.sort();
  return byKind;
}

function contentSpecFile({ file, config, declaration }: PlannedContent): ScaffoldFile {
  const path = `specs/${file.kind}/${file.file}`;
  const args = Object.keys(config).length > 0 ? tsLiteral(config) : '';
  return { path, text: renderTemplate(`init/${path}.hbs`, { args, team: teamOf(declaration), config }) };
}

/** Files every scaffold has, by path, with the template under `templates/init/` that writes each. */
const FIXED_FILES: ReadonlyArray<[path: string, template: string]> = [
  ['README.md', 'README.md.hbs'],
  ['.gitignore', 'gitignore.hbs'],
  ['tsconfig.json', 'tsconfig.json.hbs'],
  ['specs/stack.ts', 'specs/stack.ts.hbs'],
  ['specs/routing.ts', 'specs/routing.ts.hbs'],
  ['specs/sources.ts', 'specs/sources.ts.hbs'],
];

/** What the fixed files' templates are fed. */
function templateData(options: ScaffoldOptions, planned: readonly PlannedContent[]) {
  const chosen = new Set(options.sources);
  const platformNeeded = new Set(planned.flatMap((p) => p.file.platform ?? []));
  const sources = catalogSources();
  const chosenSources = sources.filter((s) => chosen.has(s.name));
  const platformSources = sources.filter((s) => platformNeeded.has(s.name));
  const namespaces = [...new Set(chosenSources.flatMap((s) => (s.namespace ? [s.namespace] : [])))].sort();
  const dev = options.infermon.devDependencies;
  return {
    name: options.name,
    nameJson: JSON.stringify(options.name),
    stackNamespace: STACK_NAMESPACE,
    stackRelease: STACK_RELEASE,
    workloadNamespaces: tsLiteral(namespaces.length > 0 ? namespaces : [STACK_NAMESPACE]),
    sources: chosenSources.map((s) => s.name),
    sourceExports: chosenSources.map((s) => s.exportName),
    platformExports: platformSources.map((s) => s.exportName),
    platformSources: platformSources.map((s) => s.name),
    teams: teamsOf(planned),
    content: contentByKind(planned),
    hasRules: planned.some((p) => p.file.kind !== 'dashboards'),
    // Alerts and SLOs come with promtool unit tests; recording rules alone do not.
    hasRuleTests: planned.some((p) => p.file.kind === 'alerts' || p.file.kind === 'slos'),
    versions: {
      infermon: caretRange(options.infermon.version),
      typescript: caretRange(dev.typescript ?? '5'),
      typesNode: caretRange(dev['@types/node'] ?? '20'),
    },
    tools: CI_TOOLS,
    workdir: options.subdir,
    // What paths from the repository root and GitLab job names start with.
    inWorkdir: options.subdir ? `${options.subdir}/` : '',
    jobPrefix: options.subdir ? `${options.subdir} ` : '',
    ci: ciPaths(options.subdir),
  };
}

/**
 * Where the CI files go. GitHub runs workflows only from the repository root's `.github/workflows` (one per
 * scaffolded folder there, named after it); GitLab reads one `.gitlab-ci.yml` at the root, which a folder
 * below it joins with `include:`, so there its jobs go in a file of their own. Paths are from the root of
 * the repository (`workflow`) and from the scaffolded folder (`gitlab`).
 */
export function ciPaths(subdir: string | undefined): { workflow: string; gitlab: string } {
  if (!subdir) return { workflow: '.github/workflows/infermon.yml', gitlab: '.gitlab-ci.yml' };
  return { workflow: `.github/workflows/infermon-${subdir.replaceAll('/', '-')}.yml`, gitlab: 'infermon.gitlab-ci.yml' };
}

function ciFiles(data: ReturnType<typeof templateData>): ScaffoldFile[] {
  const toRoot = data.workdir ? data.workdir.split('/').map(() => '../').join('') : '';
  return [
    { path: `${toRoot}${data.ci.workflow}`, text: renderTemplate('init/github-workflow.yml.hbs', data) },
    { path: data.ci.gitlab, text: renderTemplate('init/gitlab-ci.yml.hbs', data) },
  ];
}

/** Every file of a scaffold for the chosen sources, rendered from `templates/init/`; writes nothing. */
export function scaffoldFiles(options: ScaffoldOptions): ScaffoldFile[] {
  const planned = planContent(new Set(options.sources));
  const data = templateData(options, planned);
  return [
    { path: 'package.json', text: renderTemplate('init/package.json.hbs', data), completesPackageJson: true },
    ...FIXED_FILES.map(([path, template]) => ({ path, text: renderTemplate(`init/${template}`, data) })),
    ...ciFiles(data),
    ...planned.map(contentSpecFile),
  ];
}
