// The trainer's public surface: train(), its config, data shapes, hooks, checkpoints and guardrails.
export {
  train,
  type StepProgress,
  type TestResult,
  type TrainHooks,
  type TrainOptions,
  type TrainResult,
} from './train';
export {
  resolveTrainConfig,
  learningRate,
  teacherForcingAt,
  type TrainConfig,
  type TrainPartial,
} from './config';
export type { Example, TrainData } from './data';
export type { CaptionModel, LossOptions, LossOutput } from './model';
export { featureDecoder } from './model';
export { readTrainerCheckpoint, modelPath, type EpochRecord, type TrainerPosition } from './checkpoint';
export { captionProblems, runaway, type RunWarning, type WarningKind } from './guardrails';
export { FeatureCache } from './cache';
