#pragma once
// The workbench window: a side bar with the five steps (Data, Episodes, Train, Evaluate,
// Adapt), menus, shortcuts, a status bar, recent runs and settings kept between launches.

#include <QMainWindow>

class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;

namespace maml::ui {

class AdaptPage;
class DataPage;
class EpisodesPage;
class EvaluatePage;
class TrainPage;
class Workbench;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    enum Page { Data, Episodes, Train, Evaluate, Adapt, PageCount };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Workbench* workbench() const { return m_workbench; }
    DataPage* dataPage() const { return m_data; }
    EpisodesPage* episodesPage() const { return m_episodes; }
    TrainPage* trainPage() const { return m_train; }
    EvaluatePage* evaluatePage() const { return m_evaluate; }
    AdaptPage* adaptPage() const { return m_adapt; }
    void showPage(Page page);
    Page currentPage() const;

public Q_SLOTS:
    void newExperiment();
    void openExperiment();
    void saveExperiment();
    void openRunDir();
    bool openRun(const QString& dir);
    void about();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildPages();
    void buildMenus();
    void rebuildRecentMenu();
    void restoreSettings();
    void showStatus(const QString& text);
    void updateTitle();

    Workbench* m_workbench;
    QListWidget* m_sideBar = nullptr;
    QStackedWidget* m_stack = nullptr;
    DataPage* m_data = nullptr;
    EpisodesPage* m_episodes = nullptr;
    TrainPage* m_train = nullptr;
    EvaluatePage* m_evaluate = nullptr;
    AdaptPage* m_adapt = nullptr;
    QMenu* m_recent = nullptr;
    QLabel* m_experimentLabel = nullptr;
};

} // namespace maml::ui
