import { Decimal as DecimalJs } from 'decimal.js';

/**
 * How an exact decimal is brought to fewer decimals.
 * - `half-up`: to nearest, ties away from zero (the default; EN 16931's "round half up" on absolute amounts)
 * - `half-even`: to nearest, ties to the even neighbour (banker's rounding)
 * - `down`: towards zero (truncate)
 * - `up`: away from zero
 */
export type RoundingMode = 'half-up' | 'half-even' | 'down' | 'up';

/** The rounding used when a caller names none: `half-up`, as EN 16931 rounds amounts. */
export const DEFAULT_ROUNDING: RoundingMode = 'half-up';

const modes: Record<RoundingMode, DecimalJs.Rounding> = {
  'half-up': DecimalJs.ROUND_HALF_UP,
  'half-even': DecimalJs.ROUND_HALF_EVEN,
  down: DecimalJs.ROUND_DOWN,
  up: DecimalJs.ROUND_UP,
};

/** The decimal.js constant for a rounding mode. */
export function decimalRounding(mode: RoundingMode): DecimalJs.Rounding {
  return modes[mode];
}
