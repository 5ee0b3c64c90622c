namespace MuonSharp.Lab.Data;

/// <summary>The names of the datasets the lab knows, as <c>data list</c> shows them.</summary>
public static class DatasetNames
{
    /// <summary>Handwritten digits (LeCun et al. 1998).</summary>
    public const string Mnist = "mnist";

    /// <summary>Zalando's clothing images in MNIST's format (Xiao et al. 2017).</summary>
    public const string FashionMnist = "fashion-mnist";

    /// <summary>The King James Bible as plain text, for character-level language models.</summary>
    public const string Kjv = "kjv";
}
