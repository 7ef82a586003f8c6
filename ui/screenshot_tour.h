#pragma once
// Renders every page with a real state (a Glyphs model trained for a few iterations, an
// evaluation, an adaptation with predictions) to PNG files: the README's screenshots.

#include <QObject>
#include <QString>
#include <QTemporaryDir>

#include <functional>
#include <memory>

class QWidget;

namespace maml::ui {

class MainWindow;

class ScreenshotTour final : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(const QString& outDir, QObject* parent = nullptr);
    ~ScreenshotTour() override;

    /// Iterations of the tiny training run (default 120).
    void setIterations(int iterations) { m_iterations = iterations; }

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
    void episodes();
    void train();
    void evaluate();
    void adapt();
    QStringList writeSampleImages(int classIndex, int count, int first);

    QString m_outDir;
    QTemporaryDir m_temp;
    std::unique_ptr<MainWindow> m_window;
    int m_iterations = 120;
    bool m_failed = false;
};

}  // namespace maml::ui
