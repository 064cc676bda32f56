// Labels for the few numbers the server sends without one: the rows of
// `pprof.growth` carry `flat`, `cum` and the rates per minute in the
// profile's unit, but no ready-made text. Until the server adds a label per
// row, these format them the way pprof labels values (powers of 1024 for
// bytes, two decimals, a trailing `.00` dropped). They only format: which
// rows there are, their order and their values are the server's.

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** `57.04MB`, `10MB`, `12` (counts), `3 nanoseconds` (other units). */
export function amount(value: number, unit: string): string {
    let magnitude = Math.abs(value);
    let suffix = '';
    if (unit === 'bytes') {
        let i = 0;
        while (magnitude >= 1024 && i < BYTE_UNITS.length - 1) {
            magnitude /= 1024;
            i++;
        }
        suffix = BYTE_UNITS[i];
    } else if (unit && unit !== 'count') {
        suffix = ` ${unit}`;
    }
    const text = magnitude.toFixed(2).replace(/\.00$/, '');
    if (text === '0') {
        return '0';
    }
    return `${value < 0 ? '-' : ''}${text}${suffix}`;
}

/** A growth per minute with its sign: `+300MB/min`, `-1.50kB/min`, `0/min`. */
export function rate(perMinute: number, unit: string): string {
    const text = amount(perMinute, unit);
    return `${perMinute > 0 && text !== '0' ? '+' : ''}${text}/min`;
}
