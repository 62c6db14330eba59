import { z } from 'zod';

/**
 * People who use the web server when it has users (`imr users add`): each has a role and a token of their
 * own, and corrections and audit rows carry their name.
 */
export const UserRole = z.enum(['reviewer', 'analyst']);
export type UserRole = z.infer<typeof UserRole>;

/** A user's name, as audit rows record it: printable, no control characters, 1-80 characters. */
export const UserName = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(80, 'a name has at most 80 characters')
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'a name has no control characters');

export const User = z.object({
  id: z.number().int(),
  name: z.string(),
  role: UserRole,
  createdAt: z.string(),
  /** When the current token was issued; null once removed (the token no longer opens anything). */
  tokenIssuedAt: z.string().nullable(),
  removedAt: z.string().nullable(),
});
export type User = z.infer<typeof User>;
