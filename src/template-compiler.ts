import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TEMPLATE_OPTIONS } from './template-options.ts';

/**
 * Compiles a template from its text under templates/, as the package runs from its sources. The build
 * replaces this module with one holding every template compiled ahead and Handlebars' runtime alone
 * (scripts/bundle.mjs), so the compiled package neither loads the compiler nor compiles while it runs.
 */
export { Handlebars };

export function compileTemplate(engine: typeof Handlebars, name: string): Handlebars.TemplateDelegate {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('infermon/package.json'));
  return engine.compile(readFileSync(join(packageRoot, 'templates', name), 'utf8'), TEMPLATE_OPTIONS);
}
