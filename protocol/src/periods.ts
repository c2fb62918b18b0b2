/**
 * Sampling periods, as the server counts them and the UI shows them: UTC ISO weeks (`2026-W47`,
 * Monday to Monday) and calendar months (`2026-11`). Here so that both run the same code.
 */
export type Period = 'week' | 'month';

const DAY = 86_400_000;

/** The period containing `at` (UTC). */
export function periodKeyOf(at: Date, period: Period): string {
  if (period === 'month') return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
  // ISO week: weeks start on Monday and belong to the year of their Thursday.
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / DAY + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}
