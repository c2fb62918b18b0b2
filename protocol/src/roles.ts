import { z } from 'zod';
import { ROLES } from './constants.js';

export { ROLES };
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Agents are full-time or part-time; the field's root-cause analysis slices by it. */
export const EmploymentType = z.enum(['full_time', 'part_time']);
export type EmploymentType = z.infer<typeof EmploymentType>;
