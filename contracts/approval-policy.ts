/** A pipeline's `approval` block: how long its gate waits for an answer (the answers are in approval.ts). */
import { z } from 'zod';
import { DEFAULT_APPROVAL_TIMEOUT } from './approval';
import { durationSchema } from './duration-fields';

export const approval = z.strictObject({
  timeout: durationSchema('1s', '30d').default(DEFAULT_APPROVAL_TIMEOUT),
});
