/** Numbers and dates as the app shows them: km² to 0.1 as stored, times in UTC like the CLI. */

const km2Format = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const shareFormat = new Intl.NumberFormat('en-GB', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const km2 = (x: number): string => `${km2Format.format(x)} km²`;
export const number = (x: number): string => km2Format.format(x);
export const signedKm2 = (x: number): string => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${km2Format.format(Math.abs(x))} km²`;
export const share = (x: number): string => shareFormat.format(x);
/** "2025-03-13 13:43 UTC" */
export const utc = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
export const day = (iso: string): string => iso.slice(0, 10);

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) e.setAttribute(k, v);
  e.append(...children);
  return e;
}
