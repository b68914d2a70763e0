/**
 * Code-point order, not locale order: every hub replica, whatever its locale, sorts alike (a new
 * leader must not reorder what the last one wrote), and at a thousand members it costs a fraction
 * of `localeCompare`. Member names are lowercase DNS labels, which both orders sort alike.
 */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
