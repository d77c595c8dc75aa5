// Challenge pages: every answer input becomes a MathLive field.
import { enhanceMathInputs } from './lib/math-input.js';

enhanceMathInputs();
