import { z } from 'zod';

/** Prometheus's label-name rule, shared by every schema that takes label names as keys or values. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const labelNameSchema = z.string().regex(LABEL_NAME, 'not a valid label name (letters, digits and _, not starting with a digit)');
