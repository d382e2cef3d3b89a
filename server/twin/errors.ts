/** Domain errors are values, not exceptions: adapters map `code` to a transport status. */

export type DomainErrorCode =
  | 'UNKNOWN_LOCATION'
  | 'UNKNOWN_SKU'
  | 'UNKNOWN_TENANT'
  | 'UNKNOWN_ORDER'
  | 'UNKNOWN_TASK'
  | 'UNKNOWN_OPERATIVE'
  | 'TENANT_MISMATCH'
  | 'INVALID_QUANTITY'
  | 'INSUFFICIENT_STOCK'
  | 'OUT_OF_STOCK'
  | 'CAPACITY_EXCEEDED'
  | 'DUPLICATE_ORDER'
  | 'INVALID_STATE'
  | 'WRONG_LOCATION_SCANNED'
  | 'WRONG_ITEM_SCANNED'
  | 'TASK_NOT_ASSIGNED'
  | 'OPERATIVE_NOT_SIGNED_ON'
  | 'ALREADY_SIGNED_ON'
  | 'LOT_REQUIRED'
  | 'UNKNOWN_SEGMENT'
  | 'ORDER_IN_PROGRESS'
  | 'TASK_DONE'
  | 'PACK_MISMATCH'
  | 'UNKNOWN_COUNT'
  | 'DUPLICATE_COUNT'
  | 'COUNT_ALREADY_OPEN'
  | 'COUNT_IN_PROGRESS'
  | 'COUNT_NOT_STARTED'
  | 'COUNT_FINISHED'
  | 'COUNT_NOT_ASSIGNED'
  | 'COUNT_NOT_PENDING'
  | 'COUNT_SELF_APPROVAL'
  | 'COUNT_MIXED_BIN'
  | 'UNKNOWN_HOLD'
  | 'DUPLICATE_HOLD'
  | 'NOTHING_TO_HOLD'
  | 'UNKNOWN_ASN'
  | 'DUPLICATE_ASN'
  | 'ASN_CLOSED'
  | 'REASON_REQUIRED'
  | 'INVALID_SCAN'
  | 'UNKNOWN_RMA'
  | 'DUPLICATE_RMA'
  | 'RMA_CLOSED'
  | 'ORDER_NOT_DESPATCHED'
  | 'RETURN_EXCEEDS_SHIPPED'
  | 'RETURN_EXCEEDS_AUTHORISED'
  | 'RETURN_NOT_RECEIVED'
  | 'RETURN_NOT_INSPECTED'
  | 'TASK_ALREADY_ASSIGNED'
  | 'ZONE_NOT_ALLOWED'
  | 'SKILL_REQUIRED'
  | 'DUPLICATE_TASK'
  | 'OVERRIDE_REASON_REQUIRED'
  | 'CLIENT_MISMATCH'
  | 'UNKNOWN_TRANSFER'
  | 'DUPLICATE_TRANSFER'
  | 'TRANSFER_CLOSED'
  | 'TRANSFER_NOT_REFUSED'
  | 'SERIAL_REQUIRED'
  | 'UNKNOWN_SERIAL'
  | 'DUPLICATE_SERIAL'
  | 'SERIAL_NOT_SHIPPED';

export interface DomainError {
  readonly code: DomainErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export const domainError = (
  code: DomainErrorCode,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): DomainError => (details === undefined ? { code, message } : { code, message, details });
