/**
 * How every template is compiled, at run time from the sources or ahead in the build: text is inserted as
 * it stands (the output is Markdown and YAML, never HTML), and a missing value renders as nothing.
 */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: false } as const;
