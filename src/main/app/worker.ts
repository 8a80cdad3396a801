// ML jobs in the app run in Electron utility processes (the worker entry built to out/main/worker.js);
// the CLI and the server fork plain Node processes instead. Same worker, same protocol.
import { utilityProcess } from 'electron';
import { setWorkerSpawner, type WorkerProcess } from '../ml/worker/host';

export function useUtilityProcesses(): void {
  setWorkerSpawner((entry): WorkerProcess => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Caption Studio ML worker',
      stdio: 'inherit',
    });
    return {
      get pid() {
        return child.pid ?? -1;
      },
      post: (m) => child.postMessage(m),
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.on('exit', (code) => l(code, null)),
      kill: () => void child.kill(),
    };
  });
}
