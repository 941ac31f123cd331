package io.worldring.ops.train;

import io.worldring.actors.supervisor.RunListener;
import io.worldring.actors.supervisor.Stage;
import io.worldring.actors.supervisor.StepRecord;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress on stderr (stdout stays for machine-readable output): a progress bar per stage
 * with step, loss, tokens/s and ETA on a terminal; plain lines elsewhere (CI logs, pipes).
 */
public final class ProgressReporter implements RunListener, AutoCloseable {
  public enum Mode { AUTO, BAR, PLAIN, NONE }

  private final Mode mode;
  private final PrintStream out;
  private ProgressBar bar;
  private long stageSteps;
  private long plainEvery;

  public ProgressReporter(Mode mode, PrintStream out) {
    this.mode = mode == Mode.AUTO ? (System.console() != null ? Mode.BAR : Mode.PLAIN) : mode;
    this.out = out;
  }

  @Override
  public synchronized void stageStarted(Stage stage, int index, long stageStep) {
    closeBar();
    stageSteps = stage.steps();
    plainEvery = Math.max(1, stageSteps / 10);
    if (mode == Mode.NONE) {
      return;
    }
    out.printf(Locale.ROOT, "stage %d %s%s: %d x %d tokens per step, rope theta %.0f, %d steps%s%n", index + 1, stage.name(),
        stage.data().vision().enabled() ? " (vision)" : "", stage.batchSize(), stage.seqLen(), stage.ropeTheta(), stage.steps(),
        stageStep > 0 ? ", resuming at step " + stageStep : "");
    if (mode == Mode.BAR) {
      bar = new ProgressBarBuilder().setTaskName(stage.name()).setInitialMax(stageSteps).setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(250).build();
      bar.stepTo(stageStep);
    }
  }

  @Override
  public synchronized void stepped(StepRecord r) {
    String msg = String.format(Locale.ROOT, "loss %.4f  %.0f tok/s  lr %.2e  %d devices", r.loss(), r.tokensPerSecond(), r.learningRate(),
        r.devices());
    if (bar != null) {
      bar.stepTo(r.stageStep());
      bar.setExtraMessage(msg);
    } else if (mode == Mode.PLAIN && (r.stageStep() % plainEvery == 0 || r.stageStep() == stageSteps || r.attempts() > 1)) {
      out.printf(Locale.ROOT, "%s step %d/%d  %s  (%.2fs/step%s)%n", r.stage(), r.stageStep(), r.stageSteps(), msg, r.seconds(),
          r.attempts() > 1 ? ", " + r.attempts() + " attempts" : "");
    }
  }

  @Override
  public synchronized void checkpointed(long step, String directory) {
    if (mode == Mode.PLAIN) {
      out.println("checkpoint " + directory);
    }
  }

  @Override
  public synchronized void status(String message) {
    if (mode != Mode.NONE) {
      out.println("worldring: " + message);
    }
  }

  @Override
  public synchronized void finished(long step, String error) {
    closeBar();
  }

  private void closeBar() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }

  @Override
  public synchronized void close() {
    closeBar();
  }
}
