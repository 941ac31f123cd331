package io.worldring.ops.train;

import io.worldring.model.ModelConfig;
import io.worldring.model.train.StepResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress on stderr (stdout stays for machine-readable output): a progress bar with
 * step, loss, tokens/s and ETA on a terminal; plain lines elsewhere (CI logs, pipes).
 */
public final class ProgressReporter implements TrainingRun.Listener, AutoCloseable {
  public enum Mode { AUTO, BAR, PLAIN, NONE }

  private final Mode mode;
  private final PrintStream out;
  private ProgressBar bar;
  private long totalSteps;
  private long plainEvery;

  public ProgressReporter(Mode mode, PrintStream out) {
    this.mode = mode == Mode.AUTO ? (System.console() != null ? Mode.BAR : Mode.PLAIN) : mode;
    this.out = out;
  }

  @Override
  public void started(TrainSettings settings, ModelConfig model, long firstStep, Path runDir) {
    totalSteps = settings.steps();
    plainEvery = Math.max(1, totalSteps / 20);
    if (mode == Mode.NONE) {
      return;
    }
    out.printf(Locale.ROOT, "worldring: %s in %s — %s (%,d parameters), seq %d x %d, %s%n",
        firstStep == 0 ? "training" : "resuming at step " + firstStep, runDir,
        settings.initFrom().isEmpty() ? settings.preset() : settings.initFrom(), model.parameterCount(),
        settings.batchSize(), settings.seqLen(), settings.devices() == 1 ? "1 device" : settings.devices() + " devices");
    if (mode == Mode.BAR) {
      bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(250).build();
      bar.stepTo(firstStep);
    }
  }

  @Override
  public void stepped(StepResult r, double tokensPerSecond, double seconds) {
    long step = r.step() + 1;
    String msg = String.format(Locale.ROOT, "loss %.4f  %.0f tok/s  lr %.2e", r.loss(), tokensPerSecond, r.learningRate());
    if (bar != null) {
      bar.stepTo(step);
      bar.setExtraMessage(msg);
    } else if (mode == Mode.PLAIN && (step % plainEvery == 0 || step == totalSteps)) {
      out.printf(Locale.ROOT, "step %d/%d  %s  (%.2fs/step)%n", step, totalSteps, msg, seconds);
    }
  }

  @Override
  public void checkpointed(long step, Path dir) {
    if (mode == Mode.PLAIN) {
      out.println("checkpoint " + dir);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
