/**
 * Place names as people type them. GeoNames spells many Ukrainian towns in older or stricter
 * transliterations (Kupjansk, Izyum, Avdiyivka, Syevyerodonets’k) than the news does (Kupiansk,
 * Izium, Avdiivka, Sievierodonetsk). The key folds case, diacritics and apostrophes, reads j and
 * y as i and collapses doubled letters, which makes those pairs meet without fuzzy matching.
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’ʼ`ʹ"”“]/g, '')
    .replace(/[-‐–—\s]+/g, ' ')
    .replace(/[jy]/g, 'i')
    .replace(/(.)\1+/g, '$1')
    .trim();
}

