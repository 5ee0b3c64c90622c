using MuonSharp.Lab.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Data;

/// <summary>
/// One split of an image dataset: <see cref="Count"/> grey images of 28×28 pixels and their class
/// labels 0..9. Pixels are kept as the bytes of the IDX file (a quarter of the memory of floats)
/// and handed out as float32 in [0, 1] (byte / 255).
/// </summary>
public sealed class ImageSplit
{
    /// <summary>Image side in pixels (MNIST and Fashion-MNIST are 28×28).</summary>
    public const int Side = 28;

    /// <summary>Number of classes; labels are 0..<c>Classes − 1</c>.</summary>
    public const int Classes = 10;

    /// <summary>Pixels of one image.</summary>
    internal const int PixelsPerImage = Side * Side;

    // Each of the 256 grey levels as float32 in [0, 1], so every path gives the same bits.
    private static readonly float[] Levels = Enumerable.Range(0, 256).Select(b => (float)(b / 255.0)).ToArray();

    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    private ImageSplit(string name, byte[] pixels, byte[] labels)
    {
        Name = name;
        _pixels = pixels;
        _labels = labels;
    }

    /// <summary>The split's name: <c>train</c> or <c>test</c>.</summary>
    public string Name { get; }

    /// <summary>Number of examples.</summary>
    public int Count => _labels.Length;

    /// <summary>The pixels as stored, 0..255, row-major <c>[Count, 28, 28]</c>.</summary>
    public ReadOnlyMemory<byte> Pixels => _pixels;

    /// <summary>The labels, 0..9, one per image.</summary>
    public ReadOnlyMemory<byte> Labels => _labels;

    /// <summary>The images as float32 in [0, 1], row-major <c>[Count, 28, 28]</c> (a new array).</summary>
    public float[] ImagesAsFloat32()
    {
        var result = new float[_pixels.Length];
        for (int i = 0; i < result.Length; i++) result[i] = Levels[_pixels[i]];
        return result;
    }

    /// <summary>The images as a float32 tensor <c>[Count, 28, 28]</c> in [0, 1] (caller disposes).</summary>
    public Tensor ImagesTensor() => torch.tensor(ImagesAsFloat32(), new long[] { Count, Side, Side });

    /// <summary>The labels as an int64 tensor <c>[Count]</c>, the type cross-entropy expects (caller disposes).</summary>
    public Tensor LabelsTensor() => torch.tensor(_labels.Select(label => (long)label).ToArray(), new long[] { Count });

    /// <summary>
    /// Reads a split from its IDX pair, checking what every consumer relies on: image magic and
    /// 28×28 size, label magic, as many labels as images, labels 0..9.
    /// </summary>
    /// <param name="name">Split name.</param>
    /// <param name="imagesPath">IDX images <c>[n, 28, 28]</c>.</param>
    /// <param name="labelsPath">IDX labels <c>[n]</c>.</param>
    internal static ImageSplit Read(string name, string imagesPath, string labelsPath)
    {
        var images = IdxFile.ReadImages(imagesPath);
        var labels = IdxFile.ReadLabels(labelsPath);
        if (images.Shape[1] != Side || images.Shape[2] != Side)
            throw new LabUserException($"IDX file '{imagesPath}': images are {images.Shape[1]}×{images.Shape[2]}, expected {Side}×{Side}.");
        if (images.Shape[0] != labels.Shape[0])
            throw new LabUserException($"IDX files '{imagesPath}' and '{labelsPath}': {images.Shape[0]:N0} images but {labels.Shape[0]:N0} labels.");
        int bad = Array.FindIndex(labels.Data, label => label >= Classes);
        if (bad >= 0)
            throw new LabUserException($"IDX file '{labelsPath}': label {labels.Data[bad]} at index {bad:N0} is outside 0..{Classes - 1}.");
        return new ImageSplit(name, images.Data, labels.Data);
    }
}
