export { loadRouterConfig, parseRouterConfig, ConfigError, type RouterConfig, type RouterConfigInput } from './config.ts';
export { startRouter, type RouterOptions, type RunningRouter } from './server.ts';
export { registerRouterCommand } from './command.ts';
