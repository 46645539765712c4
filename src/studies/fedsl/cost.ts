// Our wireless cost model for split and federated training (the paper's own
// system model was not available): Shannon-rate links with path loss and
// Rayleigh fading, CPU time from FLOPs, and energy kappa * cycles * f^2 for
// computing plus transmit power x time for the radio.

export interface CostConstants {
  /** Bandwidth per device (Hz). */
  bandwidthHz: number;
  /** Client transmit power (W). */
  clientPowerW: number;
  /** Server (base station) transmit power on the downlink (W). */
  serverPowerW: number;
  /** Noise power spectral density (dBm/Hz). */
  noiseDbmPerHz: number;
  clientHz: number;
  serverHz: number;
  /** FLOPs a CPU completes per cycle. */
  flopsPerCycle: number;
  /** Effective switched capacitance kappa. */
  kappa: number;
  /** Client distances to the server are uniform in this range (m). */
  minDistanceM: number;
  maxDistanceM: number;
}

export const defaultCost: CostConstants = {
  bandwidthHz: 1e6,
  clientPowerW: 0.2,
  serverPowerW: 1,
  noiseDbmPerHz: -174,
  clientHz: 1e9,
  serverHz: 20e9,
  flopsPerCycle: 8,
  kappa: 1e-28,
  minDistanceM: 50,
  maxDistanceM: 500,
};

/** Channel gain: path loss 128.1 + 37.6 log10(d / 1 km) dB times a Rayleigh fading power |h|^2. */
export function channelGain(distanceM: number, fadingPower: number): number {
  const lossDb = 128.1 + 37.6 * Math.log10(distanceM / 1000);
  return 10 ** (-lossDb / 10) * fadingPower;
}

/** Shannon rate r = B log2(1 + p g / (N0 B)) in bit/s, N0 converted from dBm/Hz to W/Hz. */
export function rate(
  bandwidthHz: number,
  powerW: number,
  gain: number,
  noiseDbmPerHz: number,
): number {
  const n0 = 10 ** ((noiseDbmPerHz - 30) / 10);
  return bandwidthHz * Math.log2(1 + (powerW * gain) / (n0 * bandwidthHz));
}

/** Seconds and joules of `flops` on a CPU at `hz`: time = cycles / f, energy = kappa cycles f^2. */
export function compute(
  flops: number,
  hz: number,
  c: CostConstants,
): { seconds: number; joules: number } {
  const cycles = flops / c.flopsPerCycle;
  return { seconds: cycles / hz, joules: c.kappa * cycles * hz * hz };
}

/** What one client does in one round. */
export interface ClientRound {
  /** FLOPs the client computes. */
  flops: number;
  uplinkBits: number;
  downlinkBits: number;
  /** Channel gain this round. */
  gain: number;
}

export interface RoundCost {
  latencySeconds: number;
  energyJoules: number;
  uplinkBits: number;
}

/**
 * One round: each client computes, uploads and downloads over its own link;
 * the server computes `serverFlops` in total. Latency is the slowest client's
 * compute + uplink + downlink time plus the server's time; energy is the
 * clients' computing and transmitting energy (the server's is not counted).
 */
export function roundCost(
  clients: ClientRound[],
  serverFlops: number,
  c: CostConstants,
): RoundCost {
  let slowest = 0;
  let energy = 0;
  let uplinkBits = 0;
  for (const k of clients) {
    const cpu = compute(k.flops, c.clientHz, c);
    const up =
      k.uplinkBits > 0
        ? k.uplinkBits / rate(c.bandwidthHz, c.clientPowerW, k.gain, c.noiseDbmPerHz)
        : 0;
    const down =
      k.downlinkBits > 0
        ? k.downlinkBits / rate(c.bandwidthHz, c.serverPowerW, k.gain, c.noiseDbmPerHz)
        : 0;
    slowest = Math.max(slowest, cpu.seconds + up + down);
    energy += cpu.joules + c.clientPowerW * up;
    uplinkBits += k.uplinkBits;
  }
  const server = compute(serverFlops, c.serverHz, c);
  return { latencySeconds: slowest + server.seconds, energyJoules: energy, uplinkBits };
}
