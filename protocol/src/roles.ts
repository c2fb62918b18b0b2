import { z } from 'zod';

/** Every role a Duet user can hold; a user may hold several. */
export const ROLES = ['admin', 'supervisor', 'qa', 'trainer', 'executive', 'agent'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Agents are full-time or part-time; the field's root-cause analysis slices by it. */
export const EmploymentType = z.enum(['full_time', 'part_time']);
export type EmploymentType = z.infer<typeof EmploymentType>;
