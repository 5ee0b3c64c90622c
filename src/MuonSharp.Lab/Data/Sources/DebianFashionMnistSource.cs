using System.IO.Compression;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Data.Sources;

/// <summary>
/// Fashion-MNIST (Xiao et al. 2017; 60,000 training and 10,000 test images) from Debian's package
/// <c>dataset-fashion-mnist</c>, which holds Zalando's four gzip'd IDX files under
/// <c>usr/share/datasets/fashion-mnist/</c>: <c>apt-get download</c>, <c>dpkg-deb -x</c>, decompress.
/// </summary>
public sealed class DebianFashionMnistSource : IDatasetSource
{
    /// <summary>The Debian package.</summary>
    public const string Package = "dataset-fashion-mnist";

    /// <inheritdoc />
    public string Dataset => DatasetNames.FashionMnist;

    /// <inheritdoc />
    public string Description => $"Debian package {Package} (70,000 images)";

    /// <inheritdoc />
    public IReadOnlyList<SplitCount>? ExpectedSplits { get; } = new[] { new SplitCount("train", 60_000, "images"), new SplitCount("test", 10_000, "images") };

    /// <inheritdoc />
    public IReadOnlyList<RecordedFile> Acquire(string outputFolder, string workFolder, IRunProgress progress)
    {
        var deb = PackageTools.Stage(progress, $"apt-get download {Package}", () => PackageTools.AptDownload(Package, workFolder));
        var root = Path.Combine(workFolder, "root");
        PackageTools.Stage(progress, $"dpkg-deb -x {Path.GetFileName(deb)}", () => { PackageTools.DpkgExtract(deb, root); return 0; });
        PackageTools.Stage(progress, "decompressing IDX files", () =>
        {
            foreach (var file in ImageDatasetSpec.Layout.SelectMany(l => new[] { l.Images, l.Labels }))
            {
                // Searched for rather than assumed at usr/share/datasets/fashion-mnist/, in case a later package moves them.
                var packed = Directory.EnumerateFiles(root, file + ".gz", SearchOption.AllDirectories).FirstOrDefault()
                    ?? throw new LabUserException($"Debian package {Package} ({Path.GetFileName(deb)}) holds no {file}.gz.");
                using var input = new GZipStream(File.OpenRead(packed), CompressionMode.Decompress);
                using var output = File.Create(Path.Combine(outputFolder, file));
                input.CopyTo(output);
            }
            return 0;
        });
        return new[] { RecordedFile.Of(deb) };
    }
}
