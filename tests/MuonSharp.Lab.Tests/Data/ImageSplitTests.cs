using MuonSharp.Lab.Data;
using TorchSharp;

namespace MuonSharp.Lab.Tests.Data;

public sealed class ImageSplitTests
{
    [Fact]
    public void Tensors_are_float32_images_in_0_1_shaped_n_28_28_and_int64_labels_equal_to_the_arrays()
    {
        using var temp = new TempDirectory();
        TinyDatasets.WriteImages(temp.Sub("mnist"), train: 11, test: 3, seed: 255);
        var split = new DatasetStore(temp.Path, temp.Sub("cache")).Mnist().Train;

        using var images = split.ImagesTensor();
        using var labels = split.LabelsTensor();

        Assert.Equal(new long[] { 11, 28, 28 }, images.shape);
        Assert.Equal(torch.ScalarType.Float32, images.dtype);
        Assert.Equal(split.ImagesAsFloat32(), images.data<float>().ToArray());
        Assert.Equal(1f, images.max().item<float>()); // image 0: grey level 255
        Assert.Equal((float)(6 / 255.0), images.min().item<float>()); // image 1: (7 + 255) mod 256 = 6
        Assert.Equal(torch.ScalarType.Int64, labels.dtype);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (long)(i % 10)), labels.data<long>().ToArray());
    }
}
