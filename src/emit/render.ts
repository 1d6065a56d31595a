import { generatedHeader } from '../conventions.ts';
import type { Artifact, FileHeader } from '../model/artifact.ts';
import type { ChunkSink } from './new-text.ts';
import { toJson, toYamlChunks } from './serialize.ts';
import { fastYamlInto } from './yaml-fast.ts';

/** The text of a generated file in consecutive chunks: its header in the file's comment syntax, then its document. */
export function artifactChunks(artifact: Artifact): string[] {
  switch (artifact.format) {
    case 'yaml':
      return withHeader(artifact.header, toYamlChunks(artifact.document));
    case 'yaml-documents':
      return withHeader(
        artifact.header,
        artifact.documents.flatMap((document, i) => (i === 0 ? toYamlChunks(document) : ['---\n', ...toYamlChunks(document)])),
      );
    case 'json':
      return [toJson(artifact.document)];
    case 'text':
      return withHeader(artifact.header, [artifact.text]);
  }
}

/** The whole text of a generated file. */
export function artifactText(artifact: Artifact): string {
  return artifactChunks(artifact).join('');
}

/**
 * Serialises a generated file into `sink` as it goes, so no more than a chunk of its text is held at once.
 * YAML the fast path cannot write is written again from the start with the library.
 */
export function streamArtifact(artifact: Artifact, sink: ChunkSink): void {
  if (artifact.format !== 'yaml' && artifact.format !== 'yaml-documents') {
    for (const chunk of artifactChunks(artifact)) sink.write(chunk);
    return;
  }
  const header = headerText(artifact.header);
  if (header) sink.write(header);
  const documents = artifact.format === 'yaml' ? [artifact.document] : artifact.documents;
  const write = (chunk: string) => sink.write(chunk);
  for (const [i, document] of documents.entries()) {
    if (i > 0) sink.write('---\n');
    if (!fastYamlInto(document, write)) {
      sink.restart();
      for (const chunk of artifactChunks(artifact)) sink.write(chunk);
      return;
    }
  }
}

function headerText(header: FileHeader | undefined): string {
  if (!header) return '';
  const marker = header.commentMarker ?? '#';
  let text = generatedHeader({ generateCommand: header.regenerate }, header.sources, marker);
  for (const line of header.notes ?? []) text += `${marker} ${line}\n`;
  return text;
}

function withHeader(header: FileHeader | undefined, chunks: string[]): string[] {
  return header ? [headerText(header), ...chunks] : chunks;
}
