/**
 * Colours. Sides differ in hue *and* lightness (orange against light blue), so they stay apart
 * under every common colour-vision deficiency; contested ground is grey with a hatch, so it does
 * not depend on colour at all. Gains and losses in compare mode use the two ends of a
 * purple–green scale (ColorBrewer PRGn), which is safe for deuteranopia and protanopia, and both
 * are much darker than the fills under them.
 */
export const COLORS = {
  sea: '#d4e3ec',
  land: '#f3f1ec',
  ua: '#a9cbe8',
  ru: '#f0a35a',
  contested: '#d2d2d2',
  hatch: '#6b6b6b',
  front: '#5a1f00',
  border: '#3c3c3c',
  region: '#7a7a7a',
  gainRu: '#762a83',
  gainUa: '#1b7837',
  toContested: '#4d4d4d',
  text: '#1d1d1d',
} as const;
