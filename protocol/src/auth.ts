import { z } from 'zod';
import { EmploymentType, Role } from './roles.js';

/** Login names: lower-case letters, digits, dot, dash, underscore. */
export const Username = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9._-]+$/, 'use lower-case letters, digits, ".", "-" or "_"');

export const LoginRequest = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const Me = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(Role),
  teamIds: z.array(z.uuid()),
  /** Echo this in the `X-CSRF-Token` header of every state-changing request. */
  csrfToken: z.string(),
});
export type Me = z.infer<typeof Me>;

/** Passwords: long enough to resist guessing, short enough to bound hashing work. */
export const NewPassword = z.string().min(10, 'at least 10 characters').max(256);

export const CreateUserRequest = z.object({
  username: Username,
  displayName: z.string().min(1).max(120),
  password: NewPassword,
  roles: z.array(Role).min(1, 'give the user at least one role'),
  employmentType: EmploymentType.optional(),
  teamIds: z.array(z.uuid()).default([]),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .object({
    displayName: z.string().min(1).max(120),
    password: NewPassword,
    roles: z.array(Role).min(1),
    employmentType: EmploymentType.nullable(),
    teamIds: z.array(z.uuid()),
    disabled: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const UserSummary = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(Role),
  employmentType: EmploymentType.nullable(),
  teamIds: z.array(z.uuid()),
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type UserSummary = z.infer<typeof UserSummary>;

export const CreateTeamRequest = z.object({
  name: z.string().min(1).max(120),
  supervisorId: z.uuid().nullable().default(null),
  trainerId: z.uuid().nullable().default(null),
});
export type CreateTeamRequest = z.infer<typeof CreateTeamRequest>;

export const UpdateTeamRequest = z
  .object({
    name: z.string().min(1).max(120),
    supervisorId: z.uuid().nullable(),
    trainerId: z.uuid().nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');
export type UpdateTeamRequest = z.infer<typeof UpdateTeamRequest>;

export const TeamSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  supervisorId: z.uuid().nullable(),
  trainerId: z.uuid().nullable(),
  memberIds: z.array(z.uuid()),
});
export type TeamSummary = z.infer<typeof TeamSummary>;

/** A QA analyst or trainer sees a team's interactions only through an explicit grant. */
export const CreateGrantRequest = z.object({ userId: z.uuid(), teamId: z.uuid() });
export type CreateGrantRequest = z.infer<typeof CreateGrantRequest>;

export const CreateRecorderTokenRequest = z.object({
  agentId: z.uuid(),
  label: z.string().min(1).max(120),
});
export type CreateRecorderTokenRequest = z.infer<typeof CreateRecorderTokenRequest>;

export const RecorderTokenSummary = z.object({
  id: z.uuid(),
  agentId: z.uuid(),
  label: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type RecorderTokenSummary = z.infer<typeof RecorderTokenSummary>;

/** Returned once at creation; Duet keeps only a hash of `token`. */
export const CreatedRecorderToken = RecorderTokenSummary.extend({ token: z.string() });
export type CreatedRecorderToken = z.infer<typeof CreatedRecorderToken>;
