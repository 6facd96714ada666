// PipelinegenProbe: the health probe of Java images without a shell, curl or wget. It GETs one
// URL and exits 0 when the answer is 2xx, 1 otherwise. Standard library only (Java 11+);
// compiled in the build stage, run by the runtime's own `java`.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

public final class PipelinegenProbe {
    private PipelinegenProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java PipelinegenProbe http://HOST:PORT/PATH");
            System.exit(2);
        }
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(4)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(args[0]))
                    .timeout(Duration.ofSeconds(4)).GET().build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status < 200 || status > 299) {
                System.err.println(args[0] + " answered " + status);
                System.exit(1);
            }
        } catch (Exception problem) {
            System.err.println(args[0] + ": " + problem);
            System.exit(1);
        }
    }
}
