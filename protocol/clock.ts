/** A Lamport counter: +1 on every send, max(own, received) + 1 on every receive. */
export class LamportClock {
  constructor(public value = 0) {}

  tickForSend(): number {
    this.value += 1;
    return this.value;
  }

  observe(received: number): number {
    this.value = Math.max(this.value, received) + 1;
    return this.value;
  }
}
