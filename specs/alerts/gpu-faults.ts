import * as content from 'infermon/content';

/**
 * GPU faults (a new XID, thermal throttling) joined through the serving pod to the model they hurt; the
 * routing spec lets them hold back that model's time-to-first-token alert.
 */
export const gpuFaultRules = content.gpuFaultRules();
