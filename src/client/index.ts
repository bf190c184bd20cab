/** The headless order-entry client behind `fixover client`. */
export { OrderClient, type OrderClientOptions, type ClientReport, type LatencySummary, type OrderSink } from './order-client.js';
