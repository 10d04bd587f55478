/**
 * The whole fixture of a conformance test file: the fhirclient app server, the gateway with the
 * suite's clients, and a client (Patient) and a relative (RelatedPerson) with accounts. One per test
 * file (beforeAll), closed afterAll.
 */
import { startSmartApp, type SmartApp } from './app';
import { testClients, type TestClients } from './clients';
import {
  freshEmail,
  startConformanceGateway,
  type ConformanceGateway,
  type GatewayOptions,
  type Person,
} from './gateway';

export interface Suite {
  app: SmartApp;
  gw: ConformanceGateway;
  clients: TestClients;
  /** A Meerzicht client with an account of their own. */
  client: Person;
  /** An authorised first contact person of a Meerzicht client. */
  relative: Person;
  close(): Promise<void>;
}

export async function startSuite(options: Omit<GatewayOptions, 'clients'> = {}): Promise<Suite> {
  const app = await startSmartApp();
  try {
    const clients = await testClients(app);
    const gw = await startConformanceGateway({ ...options, clients: clients.registrations });
    try {
      const s = gw.data.scenarios;
      const client = await gw.register(
        freshEmail('client'),
        gw.patientOf(s.elderlyCare.find((id) => !Object.values(s).includes(id))!),
      );
      const relative = await gw.register(
        freshEmail('relative'),
        gw.patientOf(s.firstContactAuthorised),
        gw.relationOf(s.firstContactAuthorised, 'first-contact-person'),
      );
      return {
        app,
        gw,
        clients,
        client,
        relative,
        close: async () => {
          await gw.close();
          await app.close();
        },
      };
    } catch (err) {
      await gw.close();
      throw err;
    }
  } catch (err) {
    await app.close();
    throw err;
  }
}
