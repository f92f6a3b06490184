import { expect } from 'chai';
import type { BeanDefinition, LoadDiagnostic, SourceLocation, StepDefinition } from '../../src/runtime/definitions.js';
import { defaultConfig } from '../../src/config.js';
import { ROUTE_SET_BEANS, KEYCLOAK_POLICY_TYPE, policyStep } from '../../src/eips/policy/index.js';
import { AuthorizationError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { pipeline, type Processor } from '../../src/runtime/processor.js';
import { Registry } from '../../src/runtime/registry.js';
import type { RouterServices } from '../../src/runtime/services.js';
import { type BuildContext } from '../../src/runtime/step.js';
import { DefinitionError } from '../../src/errors/index.js';
import {
  createSecurity,
  PRINCIPAL_PROPERTY,
  ROUTER_SECURITY,
  type Principal,
} from '../../src/security/index.js';
import { captureLog, rbacFrom, type CapturedLog } from './helpers.js';
import { StateStore } from '../../src/state/index.js';

const loc = (path: string, line = 1): SourceLocation => ({ file: 'routes/refunds.yaml', line, col: 3, path });

function bean(
  name: string,
  properties: Record<string, unknown>,
  type = KEYCLOAK_POLICY_TYPE,
): BeanDefinition {
  return { name, type, properties, loc: loc(`beans[${name}]`, 40) };
}

/** A build context whose only child step records that it ran; beans and security as the router shares them. */
function buildContext(
  beans: BeanDefinition[],
  log: CapturedLog,
  withSecurity = true,
): { context: BuildContext; reported: LoadDiagnostic[]; ran: string[] } {
  const reported: LoadDiagnostic[] = [];
  const ran: string[] = [];
  const holder = { state: StateStore.create() };
  ROUTE_SET_BEANS.set(holder, beans);
  if (withSecurity) {
    const rbac = rbacFrom(
      'roles:\n  refunds: [route:refunds-in, flow:refund-approval]\n  auditor: [route:reports-in]\n',
      'rbac.yaml',
    );
    ROUTER_SECURITY.set(holder, createSecurity(rbac, log.logger));
  }
  const services: RouterServices = {
    config: defaultConfig({}),
    logger: log.logger,
    registry: new Registry(),
    transport: () => {
      throw new Error('no transport in this test');
    },
    state: holder.state,
  };
  const context = {
    routeId: 'refunds-in',
    file: 'routes/refunds.yaml',
    services,
    logger: log.logger,
    report: (d: LoadDiagnostic) => reported.push(d),
    afterBuild: () => {},
    compileSteps: (steps: readonly StepDefinition[] | undefined): Processor =>
      pipeline((steps ?? []).map((step) => async () => void ran.push(step.id ?? step.keyword))),
  } as unknown as BuildContext;
  return { context, reported, ran };
}

function policy(ref: string): StepDefinition {
  return {
    keyword: 'policy',
    options: {
      ref,
      steps: [
        {
          keyword: 'to',
          id: 'refund',
          options: { uri: 'direct:refund' },
          loc: loc('steps[0].policy.steps[0]', 12),
        },
      ],
    },
    loc: loc('[0].route.from.steps[0].policy', 11),
  };
}

function exchangeFor(principal: Principal | undefined): Exchange {
  const exchange = new Exchange({ routeId: 'refunds-in', correlationId: 'corr-77' });
  if (principal) exchange.properties[PRINCIPAL_PROPERTY] = principal;
  return exchange;
}

async function outcome(processor: Processor, exchange: Exchange): Promise<unknown> {
  try {
    await processor(exchange);
    return 'ran';
  } catch (error) {
    return error;
  }
}

describe('security: policy EIP with a Keycloak security-policy bean', () => {
  let log: CapturedLog;
  beforeEach(() => {
    log = captureLog();
  });

  it('runs its steps for a caller with every required role (comma-separated, allRolesRequired default true)', async () => {
    const { context, ran, reported } = buildContext(
      [bean('refundPolicy', { requiredRoles: 'refunds, supervisor' })],
      log,
    );
    const processor = policyStep.create(policy('refundPolicy'), context);
    expect(reported).to.deep.equal([]);

    expect(
      await outcome(processor, exchangeFor({ id: 'alice', roles: ['refunds', 'supervisor'], via: 'jwt' })),
    ).to.equal('ran');
    expect(ran).to.deep.equal(['refund']);

    const denied = await outcome(processor, exchangeFor({ id: 'bob', roles: ['refunds'], via: 'jwt' }));
    expect(denied).to.be.instanceOf(AuthorizationError);
    expect((denied as AuthorizationError).httpStatus).to.equal(403);
    expect((denied as AuthorizationError).details).to.deep.equal({
      policy: 'refundPolicy',
      reason: 'missing-role',
    });
    expect(ran).to.deep.equal(['refund']);

    expect(
      log
        .access()
        .map((line) => [
          line.principal,
          line.permission,
          line.decision,
          line.reason,
          line.routeId,
          line.correlationId,
        ]),
    ).to.deep.equal([
      ['alice', 'policy:refundPolicy', 'allowed', 'granted', 'refunds-in', 'corr-77'],
      ['bob', 'policy:refundPolicy', 'denied', 'missing-role', 'refunds-in', 'corr-77'],
    ]);
  });

  it('any one role with allRolesRequired: false; no principal is refused', async () => {
    const { context, ran } = buildContext(
      [bean('anyPolicy', { requiredRoles: ['refunds', 'supervisor'], allRolesRequired: 'false' })],
      log,
    );
    const processor = policyStep.create(policy('anyPolicy'), context);
    expect(
      await outcome(processor, exchangeFor({ id: 'carol', roles: ['supervisor'], via: 'api-key' })),
    ).to.equal('ran');
    const anonymous = await outcome(processor, exchangeFor(undefined));
    expect(anonymous).to.be.instanceOf(AuthorizationError);
    expect((anonymous as AuthorizationError).details).to.include({ reason: 'unauthenticated' });
    expect(ran).to.deep.equal(['refund']);
  });

  it('requiredPermissions are checked against the RBAC grants', async () => {
    const { context } = buildContext(
      [bean('flowPolicy', { requiredPermissions: 'flow:refund-approval' })],
      log,
    );
    const processor = policyStep.create(policy('flowPolicy'), context);
    expect(await outcome(processor, exchangeFor({ id: 'svc', roles: ['refunds'], via: 'api-key' }))).to.equal(
      'ran',
    );
    const denied = await outcome(processor, exchangeFor({ id: 'aud', roles: ['auditor'], via: 'api-key' }));
    expect((denied as AuthorizationError).details).to.deep.equal({
      policy: 'flowPolicy',
      reason: 'not-granted',
    });
  });

  it('warns (by name only) about Keycloak connection properties it ignores', () => {
    const { context, reported } = buildContext(
      [
        bean('kc', {
          serverUrl: 'http://kc',
          realm: 'r',
          clientId: 'c',
          clientSecret: 'kc-client-secret-value',
          requiredRoles: 'refunds',
        }),
      ],
      log,
    );
    policyStep.create(policy('kc'), context);
    expect(reported.map((d) => `${d.severity} ${d.message}`)).to.deep.equal([
      "warning Policy bean 'kc': serverUrl, realm, clientId, clientSecret ignored; callers are identified by the RBAC file",
    ]);
    expect(JSON.stringify(reported)).not.to.include('kc-client-secret-value');
  });

  const loadError = (beans: BeanDefinition[], ref: string, withSecurity = true): LoadDiagnostic => {
    const { context } = buildContext(beans, log, withSecurity);
    try {
      policyStep.create(policy(ref), context);
    } catch (error) {
      expect(error).to.be.instanceOf(DefinitionError);
      return (error as DefinitionError).diagnostic;
    }
    throw new Error('expected a load error');
  };

  it('rejects at load: unknown bean (did-you-mean), wrong type, requiring nothing, misspelt property, bad permission', () => {
    const unknown = loadError([bean('refundPolicy', { requiredRoles: 'x' })], 'refundPolicie');
    expect(unknown.message).to.equal("policy refers to bean 'refundPolicie', which is not defined");
    expect(unknown.suggestions).to.deep.equal(['refundPolicy']);
    expect(unknown.loc).to.include({ file: 'routes/refunds.yaml', line: 11 });

    expect(loadError([bean('p', { requiredRoles: 'x' }, 'com.example.Other')], 'p').message).to.equal(
      "Bean 'p' of type com.example.Other is not a security policy",
    );
    expect(loadError([bean('p', {})], 'p').message).to.equal("Policy bean 'p' requires nothing");
    const misspelt = loadError([bean('p', { requiredRole: 'x' })], 'p');
    expect(misspelt.message).to.equal("Unknown property 'requiredRole' of policy bean 'p'");
    expect(misspelt.suggestions).to.include('requiredRoles');
    expect(misspelt.loc!.line).to.equal(40);
    expect(loadError([bean('p', { requiredPermissions: 'route:*' })], 'p').message).to.equal(
      "Policy bean 'p': 'route:*' is not a permission",
    );
    expect(loadError([bean('p', { requiredPermissions: 'route:a' })], 'p', false).message).to.equal(
      "Policy bean 'p' requires permissions, but no RBAC file is loaded",
    );
  });
});
