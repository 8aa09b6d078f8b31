using System.Security.Cryptography;
using System.Text;

namespace DrsNotify.Server.Identity;

/// <summary>
/// The server's 256-bit master key, kept in <c>{data directory}/server.key</c> (mode 0600) and
/// created on first start. Purpose-specific keys are derived from it with HKDF-SHA256.
/// </summary>
public sealed class ServerKey
{
    private readonly byte[] _master;

    private ServerKey(byte[] master) => _master = master;

    public static ServerKey LoadOrCreate(string dataDirectory, ILogger logger)
    {
        var path = System.IO.Path.Combine(dataDirectory, "server.key");
        if (File.Exists(path))
        {
            var master = Convert.FromBase64String(File.ReadAllText(path).Trim());
            if (master.Length != 32)
            {
                throw new InvalidOperationException($"The server key file {path} does not hold a 256-bit key.");
            }

            return new ServerKey(master);
        }

        var created = RandomNumberGenerator.GetBytes(32);
        PrivateFile.Write(path, Convert.ToBase64String(created) + "\n");
        logger.LogInformation("Created the server key file {Path}", path);
        return new ServerKey(created);
    }

    public byte[] Derive(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _master, 32, salt: [], info: Encoding.UTF8.GetBytes("drsnotify:" + purpose));
}

/// <summary>Writes files that only the owner may read (mode 0600 on Unix).</summary>
public static class PrivateFile
{
    public static void Write(string path, string content)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
