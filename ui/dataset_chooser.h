#pragma once
// Which data an experiment uses: Glyphs, Fashion-MNIST, CIFAR-100 (with a download), Omniglot
// or an image folder (folder picker). A "kind" switch keeps room for text datasets (issue 5).

#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace maml::ui {

class DatasetDownload;

class DatasetChooser final : public QWidget {
    Q_OBJECT
public:
    explicit DatasetChooser(QWidget* parent = nullptr);
    ~DatasetChooser() override;

    /// The spec for maml::openDataset, e.g. "glyphs" or "omniglot:/data/omniglot".
    QString spec() const;
    void setSpec(const QString& spec);
    /// Whether `spec` names a dataset this chooser offers (image data; text arrives with issue 5).
    static bool offers(const QString& spec);
    /// Default image size and channels of the chosen kind of dataset.
    int defaultImageSize() const;
    int defaultChannels() const;

Q_SIGNALS:
    /// The spec changed (a different dataset or folder, or a download finished).
    void specChanged(const QString& spec);

private:
    void onKindChanged();
    void browse();
    void refreshAvailability();
    void download();
    QString kindId() const;

    QComboBox* m_mode = nullptr;
    QComboBox* m_kind = nullptr;
    QLineEdit* m_folder = nullptr;
    QPushButton* m_browse = nullptr;
    QPushButton* m_download = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    DatasetDownload* m_downloadJob = nullptr;
};

}  // namespace maml::ui
