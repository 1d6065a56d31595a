import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Text for people (docs, runbooks, config headers) comes from Handlebars templates in templates/, so
 * wording changes never touch generator code. Templates are static assets of the package, read once:
 * from templates/ when the package runs from its sources, from the copy the build puts in dist/.
 */
let templateDir: string | undefined;

function templatePath(name: string): string {
  if (!templateDir) {
    const packageRoot = dirname(createRequire(import.meta.url).resolve('infermon/package.json'));
    templateDir = import.meta.url.endsWith('.ts') ? join(packageRoot, 'templates') : join(packageRoot, 'dist', 'templates');
  }
  return join(templateDir, name);
}
const engine = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

engine.registerHelper('join', (items: unknown, sep: unknown) => (Array.isArray(items) ? items.join(typeof sep === 'string' ? sep : ', ') : ''));
engine.registerHelper('code', (text: unknown) => new Handlebars.SafeString(text === undefined || text === '' ? '' : `\`${String(text).replace(/\|/g, '\\|')}\``));
engine.registerHelper('inc', (n: unknown) => Number(n) + 1);
// Text in a raw block is copied as it stands: Go templates (Alertmanager) use the same braces.
engine.registerHelper('raw', (options: Handlebars.HelperOptions) => options.fn(undefined));
engine.registerHelper('cell', (text: unknown) => new Handlebars.SafeString(String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')));

export function renderTemplate(name: string, data: unknown): string {
  let template = compiled.get(name);
  if (!template) {
    template = engine.compile(readFileSync(templatePath(name), 'utf8'), { noEscape: true, strict: false });
    compiled.set(name, template);
  }
  return template(data);
}
