// Names of Cost Explorer dimensions and metrics as people read them.

/** DIMENSIONS lists the dimensions the explorer groups and filters by. */
export const DIMENSIONS = [
  ['SERVICE', 'Service'],
  ['LINKED_ACCOUNT', 'Linked account'],
  ['REGION', 'Region'],
  ['USAGE_TYPE', 'Usage type'],
  ['USAGE_TYPE_GROUP', 'Usage type group'],
  ['INSTANCE_TYPE', 'Instance type'],
  ['INSTANCE_TYPE_FAMILY', 'Instance type family'],
  ['OPERATION', 'API operation'],
  ['PURCHASE_TYPE', 'Purchase option'],
  ['RECORD_TYPE', 'Charge type'],
  ['AZ', 'Availability zone'],
  ['PLATFORM', 'Platform'],
  ['OPERATING_SYSTEM', 'Operating system'],
  ['TENANCY', 'Tenancy'],
  ['DATABASE_ENGINE', 'Database engine'],
  ['CACHE_ENGINE', 'Cache engine'],
  ['DEPLOYMENT_OPTION', 'Deployment option'],
  ['LEGAL_ENTITY_NAME', 'Legal entity'],
  ['BILLING_ENTITY', 'Billing entity'],
  ['INVOICING_ENTITY', 'Invoicing entity'],
  ['PAYER_ACCOUNT', 'Payer account'],
];


const byKey = Object.fromEntries(DIMENSIONS);

/** dimensionLabel names a dimension key. */
export function dimensionLabel(key) {
  return byKey[key] || key;
}

/** METRICS are GetCostAndUsage's metrics, cost first. */
export const METRICS = [
  ['UnblendedCost', 'Unblended cost'],
  ['AmortizedCost', 'Amortized cost'],
  ['BlendedCost', 'Blended cost'],
  ['NetUnblendedCost', 'Net unblended cost'],
  ['NetAmortizedCost', 'Net amortized cost'],
  ['UsageQuantity', 'Usage quantity'],
  ['NormalizedUsageAmount', 'Normalized usage amount'],
];

/** metricLabel names a metric. */
export function metricLabel(key) {
  return (METRICS.find(([k]) => k === key) || [key, key])[1];
}
