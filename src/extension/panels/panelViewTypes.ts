// The view types of the panels that come back after a window reload: activation registers
// their serializers (webviews/panelSerializers.ts) without loading the panels themselves.
export const METRICS_VIEW_TYPE = 'mlops.metrics';
export const COMPARE_VIEW_TYPE = 'mlops.compare';
export const EXPERIMENTS_VIEW_TYPE = 'mlops.experiments';

/** Every view type above; package.json has an `onWebviewPanel:` activation event for each. */
export const REVIVED_VIEW_TYPES = [METRICS_VIEW_TYPE, COMPARE_VIEW_TYPE, EXPERIMENTS_VIEW_TYPE] as const;
export type RevivedViewType = (typeof REVIVED_VIEW_TYPES)[number];
