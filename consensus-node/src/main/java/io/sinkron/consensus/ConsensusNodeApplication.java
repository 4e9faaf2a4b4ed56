package io.sinkron.consensus;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Entry point of a Sinkron consensus node. */
@SpringBootApplication
public class ConsensusNodeApplication {

    public static void main(String[] args) {
        SpringApplication.run(ConsensusNodeApplication.class, args);
    }
}
