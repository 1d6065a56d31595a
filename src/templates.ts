import { Handlebars, compileTemplate } from './template-compiler.ts';

/**
 * Text for people (docs, runbooks, config headers) comes from Handlebars templates in templates/, so
 * wording changes never touch generator code. Each template is compiled once, on first use.
 */
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
    template = compileTemplate(engine, name);
    compiled.set(name, template);
  }
  return template(data);
}
