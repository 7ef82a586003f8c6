#pragma once
// Renders every page with a real state (a Glyphs model trained for a few iterations, an
// evaluation, an adaptation with predictions) to PNG files: the README's screenshots. When the
// UCI sentiment sentences are on the machine, the text mode too (dialog, episode, a short
// training of the sentiment-uci-2w5s preset, adaptation to typed sentences).

#include <QObject>
#include <QString>
#include <QTemporaryDir>

#include <functional>
#include <memory>

class QWidget;

namespace maml::ui {

class AdaptPage;
class MainWindow;

class ScreenshotTour final : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(const QString& outDir, QObject* parent = nullptr);
    ~ScreenshotTour() override;

    /// Iterations of the tiny training run (default 120).
    void setIterations(int iterations) { m_iterations = iterations; }
    /// Iterations of the text training run (default 100; 0 skips the text pages).
    void setTextIterations(int iterations) { m_textIterations = iterations; }

public Q_SLOTS:
    void start();

Q_SIGNALS:
    void done(bool ok);

private:
    void waitUntil(std::function<bool()> ready, std::function<void()> then, int timeoutMs = 600000);
    void save(QWidget* widget, const QString& name);
    void fail(const QString& message);
    void dataPage();
    void dialog();
    /// The Episodes page with `seed`, saved as `file`; then `next`.
    void episodes(int seed, const QString& file, std::function<void()> next);
    /// A training run in the temporary folder `runName`, the finished page saved as `file`;
    /// then `next`.
    void train(const QString& runName, const QString& file, std::function<void()> next);
    void evaluate();
    void adapt();
    /// Presses Adapt on `page`, then saves the window as `file` once the predictions show.
    void adaptAndSave(AdaptPage* page, const QString& file, std::function<void()> next);
    void textDialog();
    void textAdapt();
    void finish();
    QStringList writeSampleImages(int classIndex, int count, int first);

    QString m_outDir;
    QTemporaryDir m_temp;
    std::unique_ptr<MainWindow> m_window;
    int m_iterations = 120;
    int m_textIterations = 100;
    bool m_failed = false;
};

} // namespace maml::ui
