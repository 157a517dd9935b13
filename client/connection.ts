/**
 * Connects to Temporal the same way the worker does: @temporalio/envconfig reads TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, the TLS variables and TOML profiles, so a local dev server,
 * a self-hosted cluster and Temporal Cloud differ only in configuration.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

export async function connectClient(): Promise<Client> {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  return new Client({ connection, namespace });
}
