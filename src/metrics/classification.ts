// Classification figures for a label scorer: accuracy, per-label precision/recall/F1, macro-F1
// (with a seeded bootstrap interval) and the confusion matrix (rows: gold label, columns:
// predicted label). A gold of null (no allowed label in the reference) is the row "(other)"; a
// prediction with no allowed label is the column "(none)".
import type { LabelDetail } from './scorers.js';
import { bootstrap, type Interval } from './stats.js';

export const NO_LABEL_PREDICTED = '(none)';
export const NO_GOLD_LABEL = '(other)';

export interface LabelFigures {
  precision: number;
  recall: number;
  f1: number;
  /** Examples whose gold label this is. */
  support: number;
  /** Answers that predicted this label. */
  predicted: number;
}

export interface ClassificationSummary {
  /** Answered examples. */
  n: number;
  labels: string[];
  /** 0-100 with a 95% bootstrap interval: the same as the scorer's own mean. */
  accuracy: Interval;
  /** Unweighted mean of the per-label F1 over labels that occur as gold or prediction, 0-100. */
  macroF1: Interval;
  perLabel: Record<string, LabelFigures>;
  /** confusion[gold][predicted] = count; rows and columns are the labels plus "(other)"/"(none)" when they occur. */
  confusion: Record<string, Record<string, number>>;
}

export function classificationSummary(
  details: readonly LabelDetail[],
  labels: readonly string[],
  seed: number,
): ClassificationSummary {
  const gold = details.map((d) => d.gold ?? NO_GOLD_LABEL);
  const predicted = details.map((d) => d.predicted ?? NO_LABEL_PREDICTED);
  const all = (indexes: ArrayLike<number>) => Array.from(indexes, (i) => i);
  const accuracyOf = (indexes: ArrayLike<number>) =>
    indexes.length === 0
      ? Number.NaN
      : (100 * all(indexes).filter((i) => gold[i] === predicted[i]).length) / indexes.length;
  const macroOf = (indexes: ArrayLike<number>) =>
    macroF1(figuresPerLabel(all(indexes), gold, predicted, labels), labels);
  const perLabel = figuresPerLabel(all(details.map((_, i) => i)), gold, predicted, labels);
  return {
    n: details.length,
    labels: [...labels],
    accuracy: bootstrap(details.length, accuracyOf, { seed }),
    macroF1: bootstrap(details.length, macroOf, { seed }),
    perLabel,
    confusion: confusionMatrix(gold, predicted, labels),
  };
}

function figuresPerLabel(
  indexes: readonly number[],
  gold: readonly string[],
  predicted: readonly string[],
  labels: readonly string[],
): Record<string, LabelFigures> {
  const figures: Record<string, LabelFigures> = {};
  for (const label of labels) {
    let truePositives = 0;
    let support = 0;
    let predictedCount = 0;
    for (const i of indexes) {
      if (gold[i] === label) support++;
      if (predicted[i] === label) predictedCount++;
      if (gold[i] === label && predicted[i] === label) truePositives++;
    }
    // No predictions (or no gold) of a label: its precision (recall) is 0, as scikit-learn's zero_division=0.
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    figures[label] = { precision, recall, f1, support, predicted: predictedCount };
  }
  return figures;
}

/** Mean F1 over the labels seen as gold or prediction (absent labels would drag it to 0), 0-100. */
function macroF1(figures: Record<string, LabelFigures>, labels: readonly string[]): number {
  const seen = labels.filter((label) => figures[label]!.support > 0 || figures[label]!.predicted > 0);
  if (seen.length === 0) return Number.NaN;
  return (100 * seen.reduce((sum, label) => sum + figures[label]!.f1, 0)) / seen.length;
}

function confusionMatrix(
  gold: readonly string[],
  predicted: readonly string[],
  labels: readonly string[],
): Record<string, Record<string, number>> {
  const rows = [...labels, ...(gold.includes(NO_GOLD_LABEL) ? [NO_GOLD_LABEL] : [])];
  const columns = [...labels, ...(predicted.includes(NO_LABEL_PREDICTED) ? [NO_LABEL_PREDICTED] : [])];
  const matrix: Record<string, Record<string, number>> = {};
  for (const row of rows) matrix[row] = Object.fromEntries(columns.map((column) => [column, 0]));
  gold.forEach((g, i) => matrix[g]![predicted[i]!]!++);
  return matrix;
}
