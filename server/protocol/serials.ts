/**
 * Serial numbers on the wire (twin SPEC R77–R80), for the receipt bodies of goods-in and returns. The edge checks only
 * the text of each serial; the twin checks the rest with specific codes: one serial per unit (`SERIAL_REQUIRED`),
 * distinct and not already here (`DUPLICATE_SERIAL`), shipped to the RMA's order for a return (`SERIAL_NOT_SHIPPED`).
 */
import { z } from 'zod';

/** One serial as scanned: 1–64 printable ASCII characters without spaces (the twin's `isSerialText`). */
export const SerialSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'a serial is 1-64 printable characters without spaces');

/** One serial per unit received, in scan order. */
export const SerialsSchema = z.array(SerialSchema).min(1, 'give one serial per unit, or leave serials out').max(10_000);
