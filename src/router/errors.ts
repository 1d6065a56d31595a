import { ROUTER_GENERIC_ERROR_TYPE, type RouterErrorType } from '../catalog/kthena-router.ts';

/**
 * A request the router answers itself with an error. `errorType` is the `error_type` label of
 * kthena_router_requests_total; `logType` the access log's `error.type`, which is finer (a rejected input
 * token limit is `rate_limit` in the metric and `input_rate_limit` in the log).
 */
export class RouterError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: RouterErrorType,
    readonly logType: string,
    message: string,
  ) {
    super(message);
  }
}

/** Status sent when the client went away before the response was complete (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

/** The OpenAI error `type` for a status. */
function openAiType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The body of an error response, in the OpenAI error shape. */
export function errorBody(status: number, message: string, code: string): string {
  return JSON.stringify({ error: { message, type: openAiType(status), param: null, code } });
}

export const badRequest = (logType: string, message: string, errorType: RouterErrorType = ROUTER_GENERIC_ERROR_TYPE) =>
  new RouterError(400, errorType, logType, message);
