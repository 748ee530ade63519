/** The urlMap: plain strings in both routing modes, built from the NodePort plan. */
import * as fc from "fast-check";
import { buildUrlMap } from "../../components/cluster";
import { planNodePorts } from "../../components";

const { plan } = planNodePorts();

test("direct routing reaches each service on its own NodePort", () => {
  expect(buildUrlMap("aios.example.net", false, plan)).toEqual({
    controllerService: "http://aios.example.net:32300",
    metricsService: "http://aios.example.net:32301",
    blocksQuery: "http://aios.example.net:32302",
    publicGateway: "http://aios.example.net:32306",
    parameterUpdater: "http://aios.example.net:32303",
    membershipServer: "http://aios.example.net:30501",
  });
});

test("gateway routing goes through the gateway's http NodePort and path prefixes", () => {
  expect(buildUrlMap("10.1.2.3", true, plan)).toEqual({
    controllerService: "http://10.1.2.3:32000/controller",
    metricsService: "http://10.1.2.3:32000/metrics",
    blocksQuery: "http://10.1.2.3:32000/blocks",
    publicGateway: "http://10.1.2.3:32306",
    parameterUpdater: "http://10.1.2.3:32000/mgmt",
    membershipServer: "http://10.1.2.3:30501",
  });
});

test("overridden NodePorts flow into the urlMap", () => {
  const custom = planNodePorts({ overrides: { metrics: 31111, gatewayHttp: 31000 } }).plan;
  expect(buildUrlMap("h", false, custom).metricsService).toBe("http://h:31111");
  expect(buildUrlMap("h", true, custom).metricsService).toBe("http://h:31000/metrics");
});

test("every urlMap value is a plain string URL in either mode", () => {
  fc.assert(
    fc.property(fc.domain(), fc.boolean(), (host, useGateway) => {
      const values: unknown[] = Object.values(buildUrlMap(host, useGateway, plan));
      expect(values).toHaveLength(6);
      for (const value of values) {
        expect(typeof value).toBe("string");
        expect(new URL(value as string).hostname).toBe(host.toLowerCase());
      }
    }),
  );
});
