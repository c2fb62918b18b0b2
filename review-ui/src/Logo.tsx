/** Duet's mark: a screen with a voice waveform inside it. Decorative; pair it with the name. */
export function Logo({ size = 32 }: { size?: number }) {
  return (
    <svg className="logo" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--logo-bg, #13294b)" />
      <rect x="6" y="8" width="20" height="14" rx="2.5" fill="none" stroke="var(--logo-fg, #5fd3c6)" strokeWidth="2" />
      <path d="M11 15v0M14 12.5v5M17 11v8M20 13.5v3" stroke="var(--logo-fg, #5fd3c6)" strokeWidth="2" strokeLinecap="round" />
      <path d="M12 25.5h8" stroke="var(--logo-fg, #5fd3c6)" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
