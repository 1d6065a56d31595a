export { startVllmSim, type VllmSimOptions, type RunningVllmSim, type Faults } from './vllm-server.ts';
export { startDcgmSim, type DcgmSimOptions, type RunningDcgmSim } from './dcgm-server.ts';
export { registerSimCommands } from './command.ts';
