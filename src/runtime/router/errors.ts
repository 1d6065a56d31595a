import { ROUTER_GENERIC_ERROR_TYPE, type RouterErrorType } from 'infermon/catalog/kthena-router';

export interface RouterErrorOptions {
  /** The request field at fault, reported as the OpenAI error's `param`. */
  param?: string;
  /**
   * False for requests the catalog says are never counted in kthena_router_requests_total (a body that
   * is not JSON); they still get an access-log line.
   */
  counted?: boolean;
}

/**
 * A request the router answers itself with an error. `errorType` is the `error_type` label of
 * kthena_router_requests_total; `logType` the access log's `error.type` and the error body's `code`, which
 * is finer (a rejected input token limit is `rate_limit` in the metric and `input_rate_limit` in the log).
 */
export class RouterError extends Error {
  readonly param: string | undefined;
  readonly counted: boolean;

  constructor(
    readonly status: number,
    readonly errorType: RouterErrorType,
    readonly logType: string,
    message: string,
    options: RouterErrorOptions = {},
  ) {
    super(message);
    this.param = options.param;
    this.counted = options.counted ?? true;
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
export function errorBody(status: number, message: string, code: string, param: string | null = null): string {
  return JSON.stringify({ error: { message, type: openAiType(status), param, code } });
}

export const badRequest = (logType: string, message: string, errorType: RouterErrorType = ROUTER_GENERIC_ERROR_TYPE, options?: RouterErrorOptions) =>
  new RouterError(400, errorType, logType, message, options);
