// Dev-only oracle helper for tools/version_oracle.py: reads lines "A<TAB>B" from
// stdin and prints Maven's ComparableVersion verdict ("<", "=", ">") per line.
// Run with the maven-artifact jar of an installed Maven on the class path:
//   java -cp /usr/share/maven/lib/maven-artifact-3.x.jar tools/version_oracle_maven.java
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class version_oracle_maven {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        PrintWriter out = new PrintWriter(System.out);
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split("\t", -1);
            int c = new ComparableVersion(parts[0]).compareTo(new ComparableVersion(parts[1]));
            out.println(c < 0 ? "<" : (c == 0 ? "=" : ">"));
        }
        out.flush();
    }
}
